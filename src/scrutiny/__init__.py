"""scrutiny: verify leaked records of mass detention and cross-reference the people in them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scrutiny")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
