"""Use cases shared by the GUI and the CLI (no Qt).  Start at
:class:`console.services.workspace.Workspace`."""
