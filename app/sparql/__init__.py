"""SPARQL text: one lexer, the policy check, the planner, the named-query library and the result writers."""
