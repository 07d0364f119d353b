"""Root of the suite. eventlet must patch the standard library before anything imports
sockets or threads, or nameko's tests hang."""
import eventlet

eventlet.monkey_patch()

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")
