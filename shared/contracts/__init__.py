"""What each service publishes to the others: its RPC input and output schemas, its codes
and enumerations, and the error codes it answers with. The gateway and the other services
import these, never another service's package."""
