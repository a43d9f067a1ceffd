export PYTHONPATH=$PWD SB_DB_PREFIX=sbt_organisations SB_ENV=development
export AMQP_URI=amqp://guest:guest@127.0.0.1:5672/sbt_organisations
export PATH=$PWD/.venv/bin:$PATH
