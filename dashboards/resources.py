"""What the app's page loads, so that the login page can load it while the user types:
Bokeh's and Panel's scripts and the loaded extensions' stylesheets (as the app's page
would), and Panel's component stylesheets (fetched by each component's shadow DOM when it
is drawn). URLs are relative to the server's root, with the versions the app asks for."""

from bokeh.resources import Resources
from bokeh.server.views.static_handler import StaticHandler
from panel.io.resources import DIST_DIR, JS_VERSION, LOCAL_DIST, bundle_resources


def page_resources() -> tuple[list[str], list[str]]:
    """(scripts, stylesheets) of the app's page: Bokeh, Panel and the extensions loaded so
    far (``pn.extension``)."""
    resources = Resources(mode="server", root_url="./",
                          path_versioner=StaticHandler.append_version)
    bundle = bundle_resources(None, resources)
    return [str(url) for url in bundle.js_files], [str(url) for url in bundle.css_files]


def component_stylesheets() -> list[str]:
    """Every stylesheet Panel's components and themes may ask for, as they ask for it
    (``static/extensions/panel/…?v=VERSION``)."""
    files = sorted((DIST_DIR / "css").glob("*.css")) + sorted(
        (DIST_DIR / "bundled" / "theme").glob("*.css"))
    return [f"{LOCAL_DIST}{f.relative_to(DIST_DIR).as_posix()}?v={JS_VERSION}" for f in files]
