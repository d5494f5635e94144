"""fazhi: a compliance checklist for 番禺区创建珠三角法治政府示范区工作方案."""

__version__ = "0.6.0"
