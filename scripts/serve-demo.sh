#!/usr/bin/env bash
# The demo in one command: the task worker (batch export, region recompute) beside the web server.
# Both run in the background of this script so that a signal reaches the trap at once, and both
# stop together however the demo ends (Ctrl-C, kill, or either process exiting).
set -u
py=${PY:-.venv/bin/python}
host=${HOST:-127.0.0.1}
port=${PORT:-8000}

"$py" manage.py db_worker --no-reload &
worker=$!
"$py" manage.py runserver --noreload "$host:$port" &
server=$!
stop() { kill "$worker" "$server" 2>/dev/null; wait 2>/dev/null; }
trap 'stop; exit 0' INT TERM
echo "后台任务进程已启动（db_worker）：批量导出和重新评分在此运行。"
wait -n
stop
