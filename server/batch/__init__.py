"""Files of applications: `inputs` reads JSON, JSON Lines and CSV; `run` judges them
under several versions in worker processes and summarises; `report` writes the HTML page."""
