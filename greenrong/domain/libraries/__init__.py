"""Green libraries (入库): membership of enterprises and projects in the platform's six lists."""
