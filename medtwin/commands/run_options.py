"""Checks of the run settings given as options (``--days``, ``--reps``, ``--seed``,
``--workers``) against :class:`scenarios.run_settings.RunSettings`, where their bounds
live; importing this module costs only click (``--help`` stays fast)."""

import click


def run_setting(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """A click callback checking the option against the :class:`RunSettings` field of its
    name (the model is loaded when the option is used, not for ``--help``)."""
    del ctx
    if value is None:
        return None
    from pydantic import ValidationError

    from scenarios.run_settings import RunSettings

    try:
        RunSettings.model_validate({str(param.name): value})
    except ValidationError as exc:
        raise click.BadParameter(str(exc.errors()[0]["msg"])) from None
    return value
