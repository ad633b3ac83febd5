from photoarchive.cli.main import main

raise SystemExit(main())
