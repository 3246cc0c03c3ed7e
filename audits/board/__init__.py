"""The improvement-board pack, read from the history store only: its data (`data`), written as
`board.html` (`html`, with SVG `charts`) and `board.xlsx` (`xlsx`) by `pack`."""
