#!/usr/bin/env python
from cop.cli import main

if __name__ == "__main__":
    main()
