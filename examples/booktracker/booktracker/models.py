"""The seed article's two models, as the article first writes them."""

from relata import models


class Author(models.Model):
    name = models.CharField(max_length=200)

    def __repr__(self):
        return self.name


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)

    def __repr__(self):
        return f"{self.title} by {self.author.name}"
