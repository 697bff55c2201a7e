"""Platform statistics: the figures of the 绿蓉融 annual report, computed from the data."""
