"""What the login page loads ahead for the app: the app page's own scripts and stylesheets,
and Panel's component stylesheets, as URLs this server answers."""

import panel as pn
from panel.io.resources import DIST_DIR, JS_VERSION, LOCAL_DIST

from dashboards.resources import component_stylesheets, page_resources


def test_page_resources_are_bokeh_panel_and_the_loaded_extensions() -> None:
    pn.extension("tabulator")
    scripts, stylesheets = page_resources()
    names = [url.split("?")[0].rsplit("/", 1)[-1] for url in scripts]
    assert names.index("bokeh.min.js") < names.index("panel.min.js")
    assert "tabulator.min.js" in names
    assert any("tabulator" in url for url in stylesheets)
    assert all(not url.startswith(("http:", "https:", "/")) for url in scripts + stylesheets)


def test_component_stylesheets_name_panels_files_as_its_components_ask_for_them() -> None:
    urls = component_stylesheets()
    assert f"{LOCAL_DIST}css/markdown.css?v={JS_VERSION}" in urls
    assert f"{LOCAL_DIST}bundled/theme/default.css?v={JS_VERSION}" in urls
    for url in urls:
        assert (DIST_DIR / url.removeprefix(LOCAL_DIST).split("?")[0]).is_file()
