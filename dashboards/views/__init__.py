"""The dashboard pages, one :class:`panel.viewable.Viewer` each (HoloViews on Bokeh)."""

import holoviews as hv

hv.extension("bokeh", logo=False)
