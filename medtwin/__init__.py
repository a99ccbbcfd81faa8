"""medtwin application shell: the ``medtwin`` CLI and the pipelines that tie the packages."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("medtwin")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
