from peakload.cli import main

main()
