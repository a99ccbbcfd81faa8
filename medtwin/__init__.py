"""medtwin application shell: the ``medtwin`` CLI and the pipelines that tie the packages."""


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the package metadata on first use: importlib.metadata
    # costs as much as the rest of `medtwin --help` together
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("medtwin")
    except PackageNotFoundError:  # running from a source tree without an install
        value = "0.0.0+source"
    globals()["__version__"] = value
    return value
