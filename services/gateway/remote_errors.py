"""nameko rebuilds an error raised in another service as its own class only if that class
is imported here; otherwise it arrives as a bare RemoteError and would become a 500.
Importing the services' rule modules registers every DomainError subclass they define."""
import services.fund.domain  # noqa: F401
import services.insurance.domain  # noqa: F401
import services.volunteers.domain  # noqa: F401
