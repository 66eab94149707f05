# Jupyter server settings for the course: `make lab` and Binder put this folder on JUPYTER_CONFIG_PATH.
# (Added to the learner's own settings, never in place of them.)
c = get_config()  # noqa: F821 - traitlets' config loader provides it

# Course notebooks are saved without outputs or widget state, autosave included (peerkit/jupyter_hooks.py):
# the course files never hold a learner's answers, and a reopened chapter never shows "Error displaying widget".
c.ContentsManager.pre_save_hook = "peerkit.jupyter_hooks.strip_course_outputs"

# Voilà shows each chapter as a page: prose and exercises, no code cell and no traceback.
c.VoilaConfiguration.show_tracebacks = False

# A chapter page's kernel is stopped a few minutes after the learner leaves the page (issue 22).
# Voilà's page asks the server to stop its kernel when it unloads, but Voilà 0.5 sends that request without the
# _xsrf cookie that only JupyterLab's own pages set, so a learner who lands on a page (make lab, the Binder link) is
# refused (403, voila-dashboards/voila#1458), and a tab that is killed or a browser that crashes sends nothing at all.
# Each page left behind kept a kernel of about 150 MB (pandas, matplotlib) running; ten chapters filled Binder's memory.
# So the server culls kernels that nothing is connected to:
# - only kernels with no page or notebook connected: an open page (or notebook) keeps its websocket, so a learner
#   reading a long page without clicking never loses its kernel, however long they read;
# - only idle ones: a kernel still working (drawing a chart, a long analysis) is never stopped;
# - idle and unconnected for 5 minutes, checked every minute: a brief network drop does not count (the server keeps
#   a silent connection for about 90 s of missed pings, and the page reconnects by itself), while a learner clicking
#   through the chapters leaves only the last few minutes' pages running. A kernel stopped this way is shut down
#   cleanly (answers still being written are finished first); answers are saved as they are given, so a page whose
#   kernel went (a laptop asleep for longer) loses nothing: reloading it brings the saved answers back.
c.MappingKernelManager.cull_idle_timeout = 300
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
