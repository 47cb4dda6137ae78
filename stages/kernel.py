"""The kernel the runner starts for a stage's notebook: ipykernel without its debugger.

ipykernel imports debugpy at start-up, for a debugger no run of the pipeline attaches: 0.1 s of
every stage's kernel start (measured), and the kernel starts before any of the stage's work.
When debugpy cannot be imported, ipykernel runs without it. Notebooks opened in Jupyter get the
installed ``python3`` kernel, debugger included.
"""

import sys

if __name__ == "__main__":
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
