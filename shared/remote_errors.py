"""What every RPC caller needs: the services' errors rebuilt as themselves on arrival.

nameko rebuilds a remote error as its own class only if that class's path is registered;
otherwise it arrives as a bare RemoteError (a 500 at the gateway). Domain errors are the
kinds of `shared.errors`, told apart by `code`, so registering these is enough."""
from nameko.exceptions import deserialize_to_instance

from shared.errors import KINDS

for _kind in KINDS:
    deserialize_to_instance(_kind)
