/** What to do when the host serving the GitHub-pinned files cannot be reached; ends a one-line error. */
export const WAYS_OUT_DOWNLOAD =
  'ways out: PLATFORM_SCHEMAS_DIR=<dir> (a schemas directory, e.g. one `npm run schemas:fetch` filled elsewhere), ' +
  'a ../shared/schemas that matches the pins, PLATFORM_SCHEMAS_BASE_URL=<url> (a mirror serving ' +
  '<owner>/<repo>/<commit>/<path>), or HTTPS_PROXY=<proxy> (NO_PROXY=<hosts>) when a proxy is needed, ' +
  'then `npm run schemas:fetch`';

/** What to do when `go mod download` cannot reach the Go module proxy; ends a one-line error. */
export const WAYS_OUT_GO =
  'ways out: PLATFORM_SCHEMAS_DIR=<dir> (a schemas directory, e.g. one `npm run schemas:fetch` filled elsewhere), ' +
  'a ../shared/schemas that matches the pins, GOPROXY=<url> (a reachable Go module proxy), or ' +
  'HTTPS_PROXY=<proxy> (NO_PROXY=<hosts>) when a proxy is needed, then `npm run schemas:fetch`';
