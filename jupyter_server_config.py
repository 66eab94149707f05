# Jupyter server settings for the course: `make lab` and Binder put this folder on JUPYTER_CONFIG_PATH.
# (Added to the learner's own settings, never in place of them.)
c = get_config()  # noqa: F821 - traitlets' config loader provides it

# Course notebooks are saved without outputs or widget state, autosave included (peerkit/jupyter_hooks.py):
# the course files never hold a learner's answers, and a reopened chapter never shows "Error displaying widget".
c.ContentsManager.pre_save_hook = "peerkit.jupyter_hooks.strip_course_outputs"

# Voilà shows each chapter as a page: prose and exercises, no code cell and no traceback.
c.VoilaConfiguration.show_tracebacks = False
