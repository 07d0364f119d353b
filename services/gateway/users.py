"""The people who log in: an admin creates and deactivates them."""


class UserRoutes:
    """API endpoints for user management (mixed into GatewayService)."""
