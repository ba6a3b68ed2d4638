# A data image: the portreg image with one data set in it, served instead of
# the built-in sample. The build context is a data directory as
# `portreg import` writes it; the build fails unless the data loads.
#
#   docker build -f docker/registry.Dockerfile -t portreg-registry:2026-08-17 /srv/iana
#
# Tag it with the registry's date (the directory's registry-updated) and
# never push a tag twice: Kubernetes rolls out a data update as a new tag
# (deploy/kubernetes/registry).
ARG BASE=portreg:0.1.0
FROM ${BASE}
COPY --chmod=0444 service-names-port-numbers.csv contacts.csv registry-updated /usr/local/share/portreg/data/
ENV PORTREG_DATA=/usr/local/share/portreg/data
RUN ["/usr/local/bin/portreg", "validate"]
