"""Pure query builders: argument validation, cell classes, the pair-query join graph and
column naming, class matrices. They build Ibis expressions and never execute or create anything.
"""
