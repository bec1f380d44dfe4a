"""The model: a region's labour market and a mentoring programme, month by month, on NumPy arrays.

It depends only on :mod:`sim.scenario`. :mod:`sim.model.model` holds the Mesa model and the order of
the monthly steps; each process has its own module (population, labour market, careers, mentors,
matching, pairs, organisation, funding, outcomes), random numbers come from the named streams of
:mod:`sim.model.rng`, and :mod:`sim.model.agents` gives the Mesa agents that view the arrays.
"""
