"""The services layer: what the command line, the nightly and the dashboards ask of the
application — one door, so that each of them does the same thing the same way.

- :mod:`medtwin.services.plans`: list, show, approve and reject stored plans (the acting
  user's role is checked by the store in the same transaction as the act, never only when
  a page was drawn), with typed decisions and stress evidence;
- :mod:`medtwin.services.results`: the result files of a folder and their kind;
- :mod:`medtwin.services.recall`: the simulated impact of recalling a lot;
- :mod:`medtwin.services.whatif`: run what-if experiments off the server's loop and write them.

Import rule (checked by ``tests/test_import_rules.py``): ``dashboards`` import nothing of
``medtwin`` but ``medtwin.services``; ``medtwin`` imports ``dashboards`` at module level
nowhere — ``medtwin dashboard`` imports the app inside the command function, when it is
about to serve it. This package imports nothing heavy at module level of its
``__init__``; each service module imports what it needs.
"""
