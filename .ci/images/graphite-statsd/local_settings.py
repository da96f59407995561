# graphite-web settings for the CI stand-in: upstream graphite-statsd's storage paths.
SECRET_KEY = 'ci-stand-in-not-a-secret'
TIME_ZONE = 'UTC'
STORAGE_DIR = '/opt/graphite/storage'
WHISPER_DIR = '/opt/graphite/storage/whisper'
STANDARD_DIRS = [WHISPER_DIR]
LOG_DIR = '/opt/graphite/storage/log'
INDEX_FILE = '/opt/graphite/storage/index'
DATABASES = {
    'default': {
        'NAME': '/opt/graphite/storage/graphite.db',
        'ENGINE': 'django.db.backends.sqlite3',
    }
}
