FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic needs a secret only to import settings; the real one comes at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "follower_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
