# A supervision tree. Fill each blank, then: learn verify supervision-tree
sup start app --strategy rest_for_one
spawn counter --sup app --name db
sup start web --parent app --child counter:h1 --child counter:h2
