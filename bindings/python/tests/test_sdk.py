"""The Extism Python SDK (PyPI `extism`), unchanged, driven through its public API. `make test-python`
runs this file twice: on our libextism (through our extism_sys, bindings/python/gen_extism_sys.py)
and on upstream's (PyPI `extism-sys`). Both must pass; nothing here knows which one it runs on,
except test_which_library, which reports it."""
import json
import os
import subprocess
import sys
import threading
import time
import typing
from uuid import UUID

import pytest

import extism
import extism_sys

Annotated = typing.Annotated


def as_json(buf):
    return json.loads(bytes(buf))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_which_library():
    expected = os.environ.get("EXTISM_EXPECT_LIBRARY")  # "ours" or "upstream" (set by the Makefile)
    ours = os.path.exists(os.path.join(os.path.dirname(extism_sys.__file__), "libextism.so"))
    print("extism_sys:", extism_sys.__file__, "ours" if ours else "upstream")
    if expected:
        assert ("ours" if ours else "upstream") == expected
    version = extism.extism_version()
    assert version and version != "0.0.0" and version.count(".") >= 2


# ---- Plugin from a path, bytes, and a Manifest dict ----


def test_plugin_from_path_bytes_and_manifest(wasm):
    path = wasm("c1")
    manifests = [
        path,
        read(path),
        {"wasm": [{"path": path}]},
        {"wasm": [{"data": read(path)}]},  # bytes: the SDK sends them as base64
        json.dumps({"wasm": [{"path": path}]}),
    ]
    for m in manifests:
        with extism.Plugin(m, functions=[]) as p:
            out = p.call("count_vowels", "Hello, World!", parse=as_json)
            assert out == {"count": 3, "total": 3, "vowels": "aeiouAEIOU"}


def test_manifest_hash_and_config(wasm):
    import hashlib

    data = read(wasm("c1"))
    good = hashlib.sha256(data).hexdigest()
    m = {"wasm": [{"data": data, "hash": good}], "config": {"vowels": "xyz"}}
    with extism.Plugin(m, functions=[]) as p:
        assert json.loads(p.call("count_vowels", "xxyyzz aa"))["count"] == 6
    with pytest.raises(extism.Error, match="Hash mismatch"):
        extism.Plugin({"wasm": [{"data": data, "hash": "0" * 64}]}, functions=[])


def test_config_argument_and_vars(wasm):
    with extism.Plugin(wasm("pdk_rs"), config={"greeting": "hi"}, functions=[transform]) as p:
        assert p.call("config", "greeting") == b"hi"
        assert p.call("config", "nope") == b"<unset>"
        assert [p.call("count", "") for _ in range(3)] == [b"1", b"2", b"3"]
    with extism.Plugin(wasm("c1"), config={"vowels": "o"}, functions=[]) as p:
        assert json.loads(p.call("count_vowels", "foo boo"))["count"] == 4
        assert json.loads(p.call("count_vowels", "o"))["total"] == 5


def test_call_input_and_output_types(wasm):
    with extism.Plugin(wasm("pdk_rs"), functions=[transform]) as p:
        assert p.call("greet", "World") == b"Hello, World!"
        assert p.call("greet", b"bytes") == b"Hello, bytes!"
        assert p.call("greet", "x", parse=lambda b: bytes(b).decode()) == "Hello, x!"
        big = "a" * 200000
        assert p.call("greet", big) == ("Hello, " + big + "!").encode()
        out = p.call("json", json.dumps({"a": 1, "b": 2, "name": "Ada"}), parse=as_json)
        assert out == {"sum": 3, "name": "Ada", "greeting": "Hello, Ada!"}
        assert p.function_exists("greet")
        assert not p.function_exists("nope")
        assert isinstance(p.id, UUID) and p.id.version == 4


# ---- errors ----


def test_errors(wasm):
    with extism.Plugin(wasm("pdk_rs"), functions=[transform]) as p:
        with pytest.raises(extism.Error, match="^failed: on purpose$"):
            p.call("fail", "on purpose")
        assert p.call("greet", "again") == b"Hello, again!"  # the plugin keeps working
        with pytest.raises(extism.Error, match="Function not found: nope"):
            p.call("nope", "")
    with extism.Plugin(wasm("pdk_as"), functions=[transform]) as p:
        with pytest.raises(extism.Error, match="^boom: bang$"):
            p.call("boom", "bang")
        with pytest.raises(extism.Error, match="^failed: x$"):
            p.call("fail", "x")
    with pytest.raises(extism.Error, match="Unknown manifest format"):
        extism.Plugin(b"hello there", functions=[])
    with pytest.raises(extism.Error, match="unknown import: `extism:host/user::transform`"):
        extism.Plugin(wasm("pdk_rs"), functions=[])


# ---- host functions ----


@extism.host_fn()
def transform(text: str) -> str:
    return text.upper()


@extism.host_fn(name="hello_world")
def double_count(inp: Annotated[dict, extism.Json]) -> Annotated[dict, extism.Json]:
    return {"count": inp["count"] * 2}


@extism.host_fn(name="transform", signature=([extism.ValType.PTR], [extism.ValType.PTR]),
                user_data=b"ud")
def transform_explicit(plugin, params, results, *user_data):
    text = plugin.input_string(params[0])
    ctx = plugin.host_context()
    plugin.return_string(results[0], f"{text}/{ctx}/{user_data[0].decode()}")


@extism.host_fn(name="transform", user_data=b"extra")
def transform_with_plugin(plugin: extism.CurrentPlugin, text: str, *user_data) -> str:
    mem = plugin.alloc(4)
    plugin.memory(mem)[:] = b"1234"
    assert plugin.memory_at_offset(mem.offset).length == 4
    plugin.free(mem)
    return f"{text}+{user_data[0].decode()}"


def test_host_function_decorator(wasm):
    for name in ("pdk_rs", "pdk_as"):
        with extism.Plugin(wasm(name), functions=[transform]) as p:
            assert p.call("host", "hello") == b"host said: HELLO"


def test_host_function_json_with_upstream_plugin(wasm):
    # upstream's own host_function.wasm (from the extism-pdk crate): JSON through hello_world
    with extism.Plugin(wasm("up_host_function"), functions=[double_count]) as p:
        assert p.call("count_vowels", "aeiou", parse=as_json) == {"count": 10}


def test_host_function_current_plugin_and_user_data(wasm):
    with extism.Plugin(wasm("pdk_rs"), functions=[transform_with_plugin]) as p:
        assert p.call("host", "x") == b"host said: x+extra"


def test_host_function_explicit_signature_and_host_context(wasm):
    with extism.Plugin(wasm("pdk_rs"), functions=[transform_explicit]) as p:
        assert p.call("host", "abc", host_context="ctx-1") == b"host said: abc/ctx-1/ud"
        assert p.call("host", "abc") == b"host said: abc/None/ud"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_host_function_exception_gives_empty_result(wasm):
    @extism.host_fn(name="transform")
    def broken(text: str) -> str:
        raise RuntimeError("no")

    with extism.Plugin(wasm("pdk_rs"), functions=[broken]) as p:
        # cffi prints the exception and returns zeroed results: the plugin sees offset 0
        # (an empty string), as with upstream
        assert p.call("host", "abc") == b"host said: "


def test_compiled_plugin(wasm):
    # CompiledPlugin is not re-exported by the package (extism 1.1.1), only by its module
    from extism.extism import CompiledPlugin

    compiled = CompiledPlugin(wasm("pdk_rs"), functions=[transform])
    a, b = extism.Plugin(compiled), extism.Plugin(compiled)
    assert a.call("count", "") == b"1" and a.call("count", "") == b"2"
    assert b.call("count", "") == b"1"
    assert a.id != b.id
    assert b.call("host", "q") == b"host said: Q"


# ---- cancel and timeouts ----


def test_cancel(wasm):
    with extism.Plugin(wasm("loop"), functions=[]) as p:
        handle = p.cancel_handle()
        timer = threading.Timer(0.3, handle.cancel)
        start = time.monotonic()
        timer.start()
        with pytest.raises(extism.Error, match="timeout"):
            p.call("loop", "")
        assert time.monotonic() - start < 10
        assert handle.cancel()  # idle: true, no effect on the next call
        p.call("quick", "")


def test_timeout(wasm):
    m = {"wasm": [{"path": wasm("loop")}], "timeout_ms": 300}
    with extism.Plugin(m, functions=[]) as p:
        start = time.monotonic()
        with pytest.raises(extism.Error, match="timeout"):
            p.call("loop", "")
        assert 0.2 < time.monotonic() - start < 10


# ---- WASI ----


def test_wasi(wasm, tmp_path):
    with pytest.raises(extism.Error, match="wasi_snapshot_preview1"):
        extism.Plugin(wasm("pdk_rs_wasi"), functions=[transform])
    with extism.Plugin(wasm("pdk_rs_wasi"), wasi=True, functions=[transform]) as p:
        assert p.call("greet", "WASI") == b"Hello, WASI!"
        assert p.call("host", "wasi") == b"host said: WASI"
    (tmp_path / "data.txt").write_text("hello world!")
    m = {
        "wasm": [{"path": wasm("rw")}],
        "allowed_paths": {str(tmp_path): "/data"},
        "config": {"path": "/data/data.txt"},
    }
    with extism.Plugin(m, wasi=True, functions=[]) as p:
        assert p.call("try_read", "") == b"hello world!"
        assert p.call("try_write", " more") == b"hello world! more"
    assert (tmp_path / "data.txt").read_text() == "hello world! more"


# ---- HTTP ----


def test_http(wasm, http_base):
    m = {"wasm": [{"path": wasm("pdk_rs")}], "allowed_hosts": ["127.0.0.1"]}
    with extism.Plugin(m, functions=[transform]) as p:
        assert p.call("http", http_base + "/ok") == b"200|ok body"
        assert p.call("http", http_base + "/404") == b"404|not found body"
    m = {"wasm": [{"path": wasm("up_http")}], "allowed_hosts": ["127.0.0.1"]}
    with extism.Plugin(m, functions=[]) as p:
        assert p.call("http_get", json.dumps({"url": http_base + "/ok"})) == b"ok body"
    with extism.Plugin(wasm("up_http"), functions=[]) as p:
        with pytest.raises(extism.Error):
            p.call("http_get", json.dumps({"url": http_base + "/ok"}))


# ---- logging: process-wide, so each case runs in its own interpreter ----

LOG_SCRIPT = r"""
import sys, extism
from extism import host_fn
lines = []
kind, path = sys.argv[1], sys.argv[2]
if kind == "custom":
    logger = extism.set_log_custom(lines.append, "info")
else:
    extism.set_log_file(path, "debug")
@host_fn()
def transform(text: str) -> str:
    return text
with extism.Plugin(path if kind == "custom" else sys.argv[3], functions=[transform]) as p:
    p.call("log", "py")
if kind == "custom":
    logger.drain()
    sys.stdout.write("".join(lines))
"""


def run_log_script(*args):
    r = subprocess.run([sys.executable, "-c", LOG_SCRIPT, *args], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_log_custom(wasm):
    out = run_log_script("custom", wasm("pdk_rs"))
    pdk = [l for l in out.splitlines() if "extism::pdk:" in l]
    assert [l.split("extism::pdk: ")[1].split(" plugin=")[0] for l in pdk] == [
        "info: py", "warn: py", "error: py"]
    assert all(" plugin=\"" in l for l in pdk)


def test_log_file(wasm, tmp_path):
    log = tmp_path / "extism.log"
    run_log_script("file", str(log), wasm("pdk_as"))
    text = log.read_text()
    for level, msg in (("DEBUG", "debug: py"), ("INFO", "info: py"), ("WARN", "warn: py"),
                       ("ERROR", "error: py")):
        assert f"{level} extism::pdk: {msg}" in text, text
    assert "\x1b[" not in text
