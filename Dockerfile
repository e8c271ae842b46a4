# The icsgraph app. Not built on the developers' machines (no Docker engine there); see README.
FROM python:3.11-slim
WORKDIR /srv/icsgraph
COPY pyproject.toml README.md ./
COPY app app
COPY graph graph
COPY loaders loaders
COPY queries queries
COPY data data
RUN pip install --no-cache-dir .
ENV ICSGRAPH_DATA=/var/lib/icsgraph
VOLUME /var/lib/icsgraph
EXPOSE 8000
# Embedded store by default; set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to use Neo4j.
CMD ["icsgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
