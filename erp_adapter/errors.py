"""Errors an ERP connection raises. None of them ever carries a password."""


class ErpError(Exception):
    """Something went wrong talking to the ERP; the message says what and what to do."""


class ErpUnreachable(ErpError):
    """The ERP server did not answer (refused, timed out, closed the connection)."""


class ErpAuthError(ErpError):
    """The ERP refused the credentials (or none were given)."""


class ErpRemoteError(ErpError):
    """The ERP answered with an error (a Tryton ``UserError`` or a server fault)."""

    def __init__(self, method: str, message: str, description: str = ""):
        self.method = method
        self.remote_message = message
        self.description = description
        text = f"ERP refused {method}: {message}"
        if description:
            text += f" ({description})"
        super().__init__(text)


class ErpWarning(ErpRemoteError):
    """A Tryton ``UserWarning``: the server asks for confirmation under ``name``."""

    def __init__(self, method: str, name: str, message: str, description: str = ""):
        self.name = name
        super().__init__(method, message, description)


class PublishInterrupted(ErpError):
    """A publish stopped part-way; what was done is kept and the next run resumes."""

    def __init__(self, cause: ErpError, done: int | None, total: int):
        self.cause = cause
        self.done = done
        self.total = total
        progress = (f"after {done} of {total} plan lines" if done is not None
                    else f"part-way through {total} plan lines")
        super().__init__(f"publish interrupted {progress}: {cause}. Documents already created "
                         "carry their plan line's key; run the same publish again to resume "
                         "without duplicates.")
