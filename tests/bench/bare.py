"""The baseline for `make bench`: a bare Flask "hello" app, served like Rekam.

gunicorn -w 2 --threads 4 tests.bench.bare:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
