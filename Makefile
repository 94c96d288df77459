# Contributor shortcuts; each is a thin wrapper over Maven or the project's scripts.
# The same habits as the original BackyDB's Makefile, the Java way.
MVN ?= mvn -B

.PHONY: help test full-test cov full-test-cov install-dev lint format clean start-databases stop-databases demo

help:
	@echo "make test | full-test | cov | full-test-cov | install-dev | lint | format | clean | start-databases | stop-databases | demo"

test:            ## run all tests (needs the databases up: see start-databases)
	$(MVN) verify

full-test: start-databases test   ## start the databases if needed, then run all tests

cov:             ## tests with JaCoCo coverage; summary printed, HTML in target/site/jacoco/index.html
	$(MVN) -Pcoverage verify
	@python3 .ci/coverage-summary.py target/site/jacoco/jacoco.csv

full-test-cov: start-databases cov

install-dev:     ## fetch every dependency and plugin, build the jar for bin/backy
	$(MVN) -q dependency:go-offline -Plint,coverage || true
	$(MVN) -q -DskipTests package

lint:            ## formatting check, javac -Xlint:all -Werror and Error Prone
	$(MVN) spotless:check
	$(MVN) -Plint clean test-compile

format:          ## format the code (google-java-format)
	$(MVN) spotless:apply

clean:
	$(MVN) -q clean
	rm -rf .demo target-build.log

start-databases: ## docker compose where a Docker engine runs, else the local services
	@if docker info >/dev/null 2>&1; then docker compose up -d; \
	else bash -c '. .ci/services.sh && ensure_mariadb && ensure_rabbitmq'; fi

stop-databases:  ## stops what start-databases started with docker compose (local services are left running)
	@if docker info >/dev/null 2>&1; then docker compose down -v; \
	else echo "no Docker engine: the machine's own MariaDB and RabbitMQ are left running"; fi

demo:
	bin/backy demo
