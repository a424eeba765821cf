from commentkit.cli import main

main()
