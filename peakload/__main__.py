from peakload.cli import app

app(prog_name="peakload")
