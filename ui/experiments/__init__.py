"""Views of the Experiments page: filters, the runs table, run comparison, seed groups, sweeps."""
