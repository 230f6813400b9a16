# Inception: `make` builds and starts the mandatory stack; `make test` proves it.
# Every target is safe to run twice. See README.md and DEV_DOC.md.

SHELL        := bash
.SHELLFLAGS  := -euo pipefail -c
.DEFAULT_GOAL := all
MAKEFLAGS    += --no-print-directory

VERSION      := 1.0.0
BASE_IMAGE   := debian:bookworm
BUILD_IMAGE  := inception-build:$(VERSION)
SERVICES     := nginx wordpress mariadb
BONUS        := redis adminer ftp site engine-proxy monitor
# The data is bound to the first four: losing them locks WordPress out of its database.
BOUND_SECRETS := db_password db_root_password wp_admin_password wp_user_password
SECRET_NAMES := $(BOUND_SECRETS) redis_password web_tools_password ftp_password

ENV_FILE     ?= $(CURDIR)/srcs/.env
SECRETS_DIR  ?= $(CURDIR)/secrets
PROJECT      ?= inception
# LOGIN: the invoking user by default (LOGIN=name overrides); once srcs/.env exists it is
# the source of truth.
LOGIN        ?= $(or $(shell sed -n 's/^LOGIN=//p' $(ENV_FILE) 2>/dev/null),$(SUDO_USER),$(USER),$(shell id -un))
DATA_DIR     := /home/$(LOGIN)/data
DOMAIN        = $(shell sed -n 's/^DOMAIN_NAME=//p' $(ENV_FILE) 2>/dev/null)

COMPOSE_BIN  := $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
                  elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
export INCEPTION_VERSION := $(VERSION)
export SECRETS_DIR ENV_FILE LOGIN
COMPOSE       = $(COMPOSE_BIN) --project-name $(PROJECT) --env-file $(ENV_FILE) -f $(CURDIR)/srcs/docker-compose.yml
# Every service, bonus included: what down/stop/clean must reach whichever way it was started.
COMPOSE_ALL   = COMPOSE_PROFILES=bonus $(COMPOSE)
RUN_TOOL      = docker run --rm --network none --user $$(id -u):$$(id -g)

.PHONY: all bonus up preflight docker-ok port-free env base builder validate secrets hosts datadirs \
        build wait info down stop start clean wipe fclean re ps logs test e2e lint bench check

all: up info

## make bonus: the mandatory stack plus the bonus services (compose profile "bonus").
bonus: export COMPOSE_PROFILES := bonus
bonus: export INCEPTION_BONUS := 1
bonus: export WP_REDIS_HOST := redis:6379
bonus: up info

up: preflight env base builder validate secrets datadirs hosts build
	@if [ "$${INCEPTION_BONUS:-0}" != 1 ]; then $(COMPOSE_ALL) rm -sf $(BONUS) >/dev/null 2>&1 || true; fi
	@$(COMPOSE) up -d
	@$(MAKE) wait

## Checks that change nothing: Docker present and running, compose present, 443 free.
preflight: docker-ok port-free

docker-ok:
	@command -v docker >/dev/null || { echo "error: docker is not installed. Fix: install Docker (Debian: apt-get install docker.io docker-compose) and run make again." >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "error: the Docker daemon is not running or not reachable. Fix: start it (systemctl start docker, or dockerd &) and check you may use /var/run/docker.sock." >&2; exit 1; }
	@[ -n "$(COMPOSE_BIN)" ] || { echo "error: neither 'docker compose' nor 'docker-compose' is installed. Fix: apt-get install docker-compose." >&2; exit 1; }

port-free:
	@ours=$$(docker ps -q --filter name='^nginx$$' --filter label=com.docker.compose.project=$(PROJECT)); \
	others=$$(docker ps -a --format '{{.Names}} {{.Label "com.docker.compose.project"}}' | awk -v p=$(PROJECT) -v names="$(SERVICES) $(BONUS)" 'BEGIN {split(names, a, " "); for (i in a) n[a[i]] = 1} ($$1 in n) && $$2 != p {print $$1" (project "$$2")"}'); \
	if [ -n "$$others" ]; then echo "error: containers named like ours belong to another stack: $$others. Fix: stop that stack first (make down, or make down PROJECT=<name>)." >&2; exit 1; fi; \
	if [ -z "$$ours" ] && (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null; then \
	  echo "error: port 443 is already in use on this machine. Fix: stop what listens there (ss -ltnp 'sport = :443' shows it), then run make again." >&2; exit 1; fi

## srcs/.env from the example, with your login filled in.
env:
	@if [ ! -f $(ENV_FILE) ]; then \
	  sed 's/__LOGIN__/$(LOGIN)/g' srcs/.env.example > $(ENV_FILE); \
	  echo "created $(ENV_FILE) for login $(LOGIN) (edit it to change the site's settings)"; fi

## debian:bookworm: local image, else pull, else build it from Debian's archive.
base:
	@docker image inspect $(BASE_IMAGE) >/dev/null 2>&1 \
	  || timeout 120 docker pull -q $(BASE_IMAGE) >/dev/null 2>&1 \
	  || bash srcs/tools/base-image.sh $(BASE_IMAGE)

## The shared Rust build stage (initd for every container).
builder:
	@mkdir -p .build/skeleton
	@if [ -s /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt .build/host-ca.crt; else : > .build/host-ca.crt; fi
	@rm -rf .build/skeleton && mkdir -p .build/skeleton && cp Cargo.toml Cargo.lock .build/skeleton/ \
	  && find crates tests -maxdepth 2 -name Cargo.toml | while read -r m; do mkdir -p .build/skeleton/$$(dirname $$m); cp $$m .build/skeleton/$$m; done
	@echo "building $(BUILD_IMAGE) (Rust workspace, once per build)"
	@{ DOCKER_BUILDKIT=0 docker build -q -t $(BUILD_IMAGE) -f srcs/build/Dockerfile . >/dev/null; } 2>&1 \
	  | { grep -vE 'legacy builder is deprecated|BuildKit is currently disabled|environment-variable\.|^$$' || true; } >&2

## The same checks the containers make, run before anything is started.
validate:
	@[ -f $(ENV_FILE) ] || { echo "error: $(ENV_FILE) is missing. Fix: run make (it creates it from srcs/.env.example)." >&2; exit 1; }
	@$(RUN_TOOL) -v $(ENV_FILE):/config/.env:ro $(BUILD_IMAGE) /out/initd check-env /config/.env --login $(LOGIN)

## Missing secrets are generated, unless the data was created with passwords that are now
## gone: new ones would lock WordPress out of its own database.
secrets:
	@mkdir -p $(SECRETS_DIR) && chmod 700 $(SECRETS_DIR)
	@missing=; for s in $(BOUND_SECRETS); do [ -s $(SECRETS_DIR)/$$s ] || missing="$$missing $$s"; done; \
	if [ -n "$$missing" ] && [ -e $(DATA_DIR)/mariadb/.inception-ready ]; then \
	  echo "error: secrets missing ($$missing) but $(DATA_DIR)/mariadb was initialised with them. Fix: restore them into $(SECRETS_DIR), or erase the data with make wipe." >&2; exit 1; fi
	@$(RUN_TOOL) -v $(SECRETS_DIR):/secrets $(BUILD_IMAGE) /out/initd gen-secrets /secrets $(SECRET_NAMES)

datadirs:
	@mkdir -p $(DATA_DIR)/mariadb $(DATA_DIR)/wordpress $(DATA_DIR)/certs

hosts:
	@if ! grep -qE "^[^#]*[[:space:]]$(DOMAIN)([[:space:]]|$$)" /etc/hosts; then \
	  if [ -w /etc/hosts ]; then echo "127.0.0.1 $(DOMAIN)" >> /etc/hosts && echo "added $(DOMAIN) to /etc/hosts"; \
	  else echo "note: add '127.0.0.1 $(DOMAIN)' to /etc/hosts (sudo sh -c \"echo 127.0.0.1 $(DOMAIN) >> /etc/hosts\")"; fi; fi

build:
	@DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 $(COMPOSE) build -q $(if $(INCEPTION_BONUS),,$(SERVICES))

## Bounded wait until every container of the project reports healthy.
wait:
	@for _ in $$(seq 1 90); do \
	  states=$$(docker ps -aq --filter label=com.docker.compose.project=$(PROJECT) | xargs -r docker inspect -f '{{.State.Health.Status}}' 2>/dev/null); \
	  [ -n "$$states" ] && ! grep -qv '^healthy$$' <<< "$$states" && exit 0; sleep 2; done; \
	echo "error: the stack did not become healthy within 3 minutes. See: make ps; make logs" >&2; $(COMPOSE) ps >&2; exit 1

info:
	@echo; echo "  Inception is up:  https://$(DOMAIN)"
	@echo "  Administrator:    $$(sed -n 's/^WP_ADMIN_USER=//p' $(ENV_FILE))  (password in $(SECRETS_DIR)/wp_admin_password)"
	@echo "  Data:             $(DATA_DIR)"
	@if [ "$${INCEPTION_BONUS:-0}" = 1 ]; then \
	  tools_user=$$(sed -n 's/^WEB_TOOLS_USER=//p' $(ENV_FILE) | grep . || echo ops); \
	  echo "  Static site:      https://$(DOMAIN)/site/"; \
	  echo "  Adminer, monitor: https://$(DOMAIN)/adminer/ and /monitor/  (HTTP user $$tools_user, password in $(SECRETS_DIR)/web_tools_password)"; \
	  echo "  FTPS:             ftp://127.0.0.1:21 explicit TLS, user $$(sed -n 's/^FTP_USER=//p' $(ENV_FILE) | grep . || echo $(LOGIN)_ftp), password in $(SECRETS_DIR)/ftp_password"; fi
	@echo

down:
	@$(COMPOSE_ALL) down --remove-orphans

stop:
	@$(COMPOSE_ALL) stop

start: preflight
	@$(COMPOSE_ALL) start
	@$(MAKE) wait

ps:
	@$(COMPOSE_ALL) ps

logs:
	@$(COMPOSE_ALL) logs --tail=100

clean:
	@$(COMPOSE_ALL) down --remove-orphans --rmi all 2>/dev/null || true
	@docker image rm -f $(BUILD_IMAGE) >/dev/null 2>&1 || true

## Containers, volumes and the data under /home/<login>/data; images are kept.
wipe:
	@$(COMPOSE_ALL) down --volumes --remove-orphans 2>/dev/null || true
	@rm -rf $(DATA_DIR)

fclean: clean wipe
	@rm -rf .build
	@echo "removed containers, images, volumes and $(DATA_DIR)"

re: fclean all

## make bench: throughput and memory of the running stack, printed as figures. Bounded
## (3 runs of 10 s) and sent to this machine only (the domain resolves to 127.0.0.1).
BENCH_URL = https://$(DOMAIN)
bench:
	@command -v wrk >/dev/null || { echo "installing wrk"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	@for spec in "front page, anonymous (nginx micro-cache)|/|16" \
	             "front page, uncached (php-fpm + MariaDB)|/?nocache=1|8" \
	             "static file (nginx)|/wp-includes/css/dist/block-library/style.min.css|16"; do \
	  IFS='|' read -r what path conns <<< "$$spec"; \
	  printf '%-44s' "$$what"; \
	  wrk -t2 -c$$conns -d10s "$(BENCH_URL)$$path" | awk '/Requests\/sec/ {r=$$2} /Latency/ {l=$$2} END {printf "%10s req/s   avg latency %s\n", r, l}'; \
	done
	@echo; echo "memory after the runs:"; docker stats --no-stream --format '  {{.Name}}\t{{.MemUsage}}' $(SERVICES)

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

## make test: the workspace's tests, then the end-to-end suite against a real stack.
E2E_DIR     := $(CURDIR)/.build/e2e
E2E_PROJECT := inception-e2e
E2E_LOGIN   := inceptione2e
E2E_MAKE     = $(MAKE) PROJECT=$(E2E_PROJECT) ENV_FILE=$(E2E_DIR)/.env SECRETS_DIR=$(E2E_DIR)/secrets LOGIN=$(E2E_LOGIN)

test:
	cargo test --workspace --locked
	bash srcs/requirements/wordpress/tools/object-cache/tests/run.sh
	@$(MAKE) e2e

e2e:
	@cargo build -q --locked -p e2e
	@rm -rf $(E2E_DIR) && mkdir -p $(E2E_DIR)
	@target/debug/e2e prepare --dir $(E2E_DIR) --login $(E2E_LOGIN)
	@$(E2E_MAKE) wipe >/dev/null 2>&1 || true
	@rc=0; $(E2E_MAKE) all && target/debug/e2e run --dir $(E2E_DIR) --project $(E2E_PROJECT) --login $(E2E_LOGIN) || rc=$$?; \
	  $(E2E_MAKE) wipe >/dev/null 2>&1 || true; exit $$rc
	@echo; echo "== the same checks with the bonus services up (make bonus), plus B1-B5 =="
	@rc=0; $(E2E_MAKE) bonus && target/debug/e2e run --bonus --dir $(E2E_DIR) --project $(E2E_PROJECT) --login $(E2E_LOGIN) || rc=$$?; \
	  $(E2E_MAKE) wipe >/dev/null 2>&1 || true; exit $$rc

## make check: static audit of this repository (M1-M16, B1-B5) with the workspace's own tool.
check:
	cargo run -q --locked -p inception -- check --repo $(CURDIR) --login $(LOGIN)
	@if docker ps -q --filter name='^nginx$$' --filter label=com.docker.compose.project=$(PROJECT) 2>/dev/null | grep -q .; then \
	  cargo run -q --locked -p inception -- check --live --project $(PROJECT) --login $(LOGIN); \
	else echo "(live audit skipped: the $(PROJECT) stack is not running; make, then make check)"; fi
