"""Static files for phones: hashed names (cached by browsers for a year, ``immutable``) and
gzip + Brotli copies written once at ``collectstatic``, which whitenoise sends to browsers that accept them.

Whitenoise's ``CompressedManifestStaticFilesStorage``, with three changes:

- the hashed names are used even with DEBUG on (``make run`` serves what production serves; Django's
  manifest storage would otherwise link the unhashed names under DEBUG, which browsers must revalidate);
- only the hashed files are compressed (nothing links the unhashed copies), and source maps not at all
  (no phone downloads them): collectstatic does half the work;
- Brotli's quality comes from ``STATIC_BROTLI_QUALITY`` (default 11, the smallest files: plotly.min.js
  4.8 MB -> 1.1 MB in about 25 s, once per build; 9 gives 1.2 MB in a second).
"""

import re

import brotli
from django.conf import settings
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

HASHED = re.compile(r"\.[0-9a-f]{12}\.[^/.]+$")
SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")


class QualityCompressor(Compressor):
    def compress_brotli(self, data):
        return brotli.compress(data, quality=getattr(settings, "STATIC_BROTLI_QUALITY", 11))


class HashedCompressedStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)

    def create_compressor(self, **kwargs):
        kwargs["extensions"] = SKIP_COMPRESS_EXTENSIONS
        return QualityCompressor(**kwargs)

    def compress_files(self, paths):
        return super().compress_files([path for path in paths if HASHED.search(path)])
