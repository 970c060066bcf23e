"""Runs one submission's cells inside its sandbox and hands its answers to the grader as data.

Started by jail.py as the sandbox's unprivileged user, with two pipe descriptors (requests in, replies out)::

    python runner.py REQUEST_FD REPLY_FD

The grader sends the job: the submission's code cells, after which cell to take which answers, and time limits.
The runner executes the cells in order with IPython (as a kernel would: magics work, a failing cell is reported and
the next one runs; a cell that runs longer than the cell time limit is interrupted). After an answer's cell it sends
the answer (:mod:`protocol`: data only; a function stays here, by reference) and then answers the grader's calls of
the student's functions until told to continue. Everything this process prints goes to its standard output, which
the grader counts and discards: nothing printed here is ever read as a result.

This is the submission's own process, so its code can change anything in it, including this runner. It can
therefore only change the answers it hands out, which are the student's answers anyway; the checks that judge
them run in the grader's process.
"""

import importlib.util
import os
import signal
import sys
import traceback

_spec = importlib.util.spec_from_file_location("course_grading_protocol",
                                               os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol.py"))
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)


class CellTimeout(Exception):
    """Raised inside a cell (or a call of a student's function) that ran past its time limit."""


def _alarm(signum, frame):
    raise CellTimeout("stopped: this cell ran longer than the time limit")


def _describe_error(error):
    return f"{type(error).__name__}: {error}"[:300] if error is not None else None


def main(request_fd: int, reply_fd: int) -> int:
    job = protocol.read_frame(request_fd)
    cells = job["cells"]
    captures = {int(index): names for index, names in job.get("captures", {}).items()}
    cell_timeout = float(job.get("cell_timeout", 60))
    call_timeout = float(job.get("call_timeout", 30))
    signal.signal(signal.SIGALRM, _alarm)
    # A file past the size limit fails with an error the cell can report, instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    runner_pid = os.getpid()

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    functions = {}

    def send(message):
        protocol.write_frame(reply_fd, message)

    def send_answers(names):
        answers = {}
        for name in names:
            if name in shell.user_ns:
                try:
                    answers[name] = protocol.encode(shell.user_ns[name], functions)
                except Exception as error:  # a value whose conversion fails: say so, as data
                    answers[name] = {"$opaque": f"value that could not be sent ({type(error).__name__})"}
            else:
                answers[name] = {"$missing": True}
        send({"answers": answers})

    def serve():
        """Answer the grader's calls of the student's functions until it says continue (True) or quit (False)."""
        while True:
            try:
                request = protocol.read_frame(request_fd)
            except protocol.ChannelClosed:
                return False
            if request.get("continue"):
                return True
            if request.get("quit"):
                return False
            function = functions.get(request.get("call"))
            if function is None:
                send({"error": ["NameError", "no such function"]})
                continue
            try:
                args = protocol.decode(request.get("args", []))
                kwargs = protocol.decode(request.get("kwargs", {"$dict": []}))
                signal.setitimer(signal.ITIMER_REAL, call_timeout)
                try:
                    result = function(*args, **kwargs)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if os.getpid() != runner_pid:
                    os._exit(0)
                send({"result": protocol.encode(result, functions)})
            except CellTimeout:
                send({"error": ["TimeoutError", f"your function did not return within {call_timeout:g} s"]})
            except Exception as error:
                send({"error": [type(error).__name__, str(error)[:500]]})

    for index, source in enumerate(cells):
        send({"cell": index})
        timed_out = False
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        try:
            result = shell.run_cell(source, store_history=False, silent=False)
            error = result.error_in_exec or result.error_before_exec
        except CellTimeout as caught:
            error = caught
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if os.getpid() != runner_pid:
            os._exit(0)  # a process the cell forked must not go on as a second runner on the same channel
        if isinstance(error, CellTimeout):
            timed_out = True
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            try:
                pyplot.close("all")
            except Exception:
                pass
        send({"cell_done": index, "error": _describe_error(error), "timeout": timed_out})
        if index in captures:
            send_answers(captures[index])
            if not serve():
                return 0
    if job.get("at_end"):
        send_answers(job["at_end"])
        if not serve():
            return 0
    send({"done": True})
    serve()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
    except protocol.ChannelClosed:
        sys.exit(0)
    except Exception:
        traceback.print_exc()
        sys.exit(3)
