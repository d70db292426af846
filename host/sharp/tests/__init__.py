"""The installed package's self-test: `python -m pytest --pyargs sharp` (docs/BOARD_QUICKSTART.md).
Small and fast, on the golden backend; on a board with an overlay it also runs the overlay."""
