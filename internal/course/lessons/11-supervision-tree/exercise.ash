# A supervision tree. Fill each blank, then: learn verify supervision-tree
sup start app --strategy ___
spawn counter --sup app --name db
sup start web --parent ___ --child counter:h1 --child ___
