from netra.health.status import HealthStatus


def health() -> HealthStatus:
    return HealthStatus("api", True)
