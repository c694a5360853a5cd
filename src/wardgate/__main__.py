from wardgate.cli.main import main

raise SystemExit(main())
