"""Pagination shared by every list endpoint."""

from rest_framework.pagination import PageNumberPagination


class DirectoryPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
