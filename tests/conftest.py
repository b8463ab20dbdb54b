"""Fixtures shared by several test files."""
import pytest
import threadpoolctl


@pytest.fixture
def single_blas_thread():
    """Small dense problems: one BLAS thread (multi-threaded OpenBLAS is
    orders of magnitude slower on a busy 2-core CI machine).

    A test file that needs it for every test sets
    ``pytestmark = pytest.mark.usefixtures("single_blas_thread")``.
    """
    with threadpoolctl.threadpool_limits(limits=1):
        yield
