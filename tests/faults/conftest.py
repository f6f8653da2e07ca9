from follower_tracker.celery import app as celery_app


def send(task, args, *, broker_url):
    """Enqueue ``task`` on the test's own broker (the test process's default broker is another one)."""
    with celery_app.connection_for_write(broker_url) as connection:
        task.apply_async(args=args, connection=connection)
